// The public surface of Groundwork: what a user writes against. Everything else
// is internal. README.md's "API" section lists the same names (a test keeps them in step).
import { registerBuiltins } from './builtins.js';

// The public API is where the built-in provisioners and drivers are assembled
// into the process-wide registries (the serialize and driver layers know none).
registerBuiltins();

// The scheduler, its options, results and events.
export { Scheduler } from './scheduler/scheduler.js';
export type { SchedulerOptions, GroupSpec, RunOptions, DeprovisionOptions, TeardownOptions, WaitForOptions } from './scheduler/options.js';
export type { RunSummary, GroupResult } from './scheduler/provision-run.js';
export type { TeardownSummary } from './scheduler/teardown-run.js';
export { formatDrift, type DriftReport, type DriftChange } from './scheduler/drift.js';
export type { ReplaceOptions } from './scheduler/options.js';
export type { ReplaceSummary } from './scheduler/replace-run.js';
export type { SchedulerEventMap, SchedulerEventName, SchedulerListener, SchedulerEventSource } from './events.js';
export { statusReport, STATUS_VERSION } from './scheduler/status.js';
export type { StatusReport, GroupStatus, StepStatus } from './scheduler/status.js';
export { GroupState, StepState } from './state/types.js';

// The provisioner contract and the built-in provisioners.
export type { Provisioner, ProvisionerClass, ProvisionerContext } from './provisioners/contract.js';
export { ActionHandler } from './provisioners/action-handler.js';
export { registerProvisioner } from './serialize/default-registry.js';
export { ProvisionerRegistry } from './serialize/registry.js';
export { LocalCommand } from './provisioners/local-command.js';
export type { LocalCommandOptions, LocalCommandOutput, CommandSpec } from './provisioners/local-command.js';
export { LocalService } from './provisioners/local-service.js';
export type { LocalServiceOptions, LocalServiceOutput } from './provisioners/local-service.js';
export { HttpCheck } from './provisioners/http-check.js';
export type { HttpCheckOptions } from './provisioners/http-check.js';
export { Machines } from './provisioners/machines/machines.js';
export type { MachinesOptions, MachinesOutput, MachineInfo } from './provisioners/machines/machines.js';
export { RunOnMachines } from './provisioners/machines/run-on-machines.js';
export type { RunOnMachinesOptions, RunOnMachinesOutput } from './provisioners/machines/run-on-machines.js';
// remote-service (issue 10)
export { RemoteService } from './provisioners/remote-service.js';
export type { RemoteServiceOptions, RemoteServiceOutput, RemoteServiceInstance } from './provisioners/remote-service.js';
export { powerOff } from './drivers/netns/power-off.js';
export type { CheckResult } from './provisioners/contract.js';
export type { UnhealthyStep, CheckOptions } from './scheduler/health.js';
export type { PowerOffOptions, PowerOffTarget } from './drivers/netns/power-off.js';

// The driver contract, the machines drivers hand out, and the built-in drivers.
export type { Driver, DriverActions, DriverContext, DriverFactory, MachineRequest, BatchResult, KeyLookup } from './drivers/driver.js';
export type { MachineSpec, MachineReference, MachineOptions, ReferenceValue } from './drivers/machine-spec.js';
export { DriverRegistry, registerDriver } from './drivers/registry.js';
export type { Machine, ExecuteOptions, ExecuteResult, TransferOptions } from './machines/machine.js';
export { LocalMachine } from './machines/local-machine.js';
export { connectSsh } from './transport/connect.js';
export type { SshConnectOptions } from './transport/connect.js';
export { NetnsDriver } from './drivers/netns/netns-driver.js';
export type { NetnsDriverConfig } from './drivers/netns/config.js';
export { SshDriver } from './drivers/ssh/ssh-driver.js';
export type { HostEntry } from './drivers/ssh/hosts-file.js';
export { LocalDriver } from './drivers/local/local-driver.js';

// Config files. The test-runner hooks have their own entries (groundwork/vitest, /jest, /node-test),
// so this one references no test runner's types.
export { defineConfig } from './config/define.js';
export type { GroundworkConfig, GroupConfig } from './config/define.js';

// Where the state lives.
export type { StateStore } from './state/store.js';
export type { StateData } from './state/types.js';
export { JsonFileStore } from './state/file-store.js';
export { MemoryStore } from './state/memory-store.js';
// State in PostgreSQL (issue 12)
export { PostgresStore } from './state/postgres/postgres-store.js';
export type { PostgresStoreOptions } from './state/postgres/postgres-store.js';
export { readPostgresState } from './state/postgres/read.js';
export { redactUrl } from './state/postgres/redact.js';

export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';

// --- plugins-model (issue 11): Loom-style plugins, the model ---
export { Plugin, Provider, Automator } from './plugins/base.js';
export { TaskName } from './plugins/task.js';
export type { PluginTask, PluginResult, SshAuth, NodeEntry } from './plugins/task.js';
export { PluginRegistry } from './plugins/registry.js';
export type { LoadedPlugin, PluginKind, RunHooks, SecretSources } from './plugins/registry.js';
export { FieldType } from './plugins/parameters.js';
export type { PluginParameters, FieldSpec, SecretRef } from './plugins/parameters.js';
export { resolveFields } from './plugins/fields.js';
export { PluginError } from './errors.js';
// --- end plugins-model ---

// --- plugins-cluster (issue 11): clusters from a spec, built-in plugins ---
export { loomCluster, serviceGroup, PluginTaskStep } from './plugins/cluster/index.js';
export type { LoomClusterSpec, ServiceSpec, NodeSpec, ProviderSpec, ActionSpec, ActionName, NodeResults, TaskRun, StepTask, PluginTaskStepOptions } from './plugins/cluster/index.js';
export { registerBuiltinPlugins } from './plugins/builtin/index.js';
export type { BuiltinEnv } from './plugins/builtin/index.js';
export { PluginTaskError } from './errors.js';
// --- end plugins-cluster ---

export {
  ErrorCode,
  GroundworkError,
  ConfigError,
  GraphError,
  NotSerializableError,
  UnknownGroupError,
  StepFailedError,
  ShutdownFailedError,
  GroupFailedError,
  GroupBlockedError,
  TeardownFailedError,
  HasDependentsError,
  StateFileError,
  StoreClosedError,
  StateLockedError,
  UnlockRefusedError,
  TransitionError,
  SchedulerBusyError,
  DriverError,
  NotOwnedError,
  MachineBatchError,
  KeyError,
  ProcessError,
  NotReadyError,
  CheckFailedError,
  MachineError,
  MachineCommandError,
  MachineConnectError,
  HostKeyMismatchError,
  MachineTransferError,
  // State in PostgreSQL (issue 12)
  DatabaseUnreachableError,
  SchemaVersionError,
  DatabaseLockedError,
} from './errors.js';
export type { LockOwner } from './errors.js';
// pg-workers (issue 12)
export { StepFencedError } from './errors.js';
