// The public surface of Groundwork. Everything else is internal.

export { Scheduler } from './scheduler/scheduler.js';
export type { SchedulerOptions, GroupSpec, RunOptions, DeprovisionOptions, TeardownOptions, WaitForOptions } from './scheduler/options.js';
export type { RunSummary, GroupResult } from './scheduler/provision-run.js';
export type { TeardownSummary } from './scheduler/teardown-run.js';
export { statusReport, STATUS_VERSION } from './scheduler/status.js';
export type { StatusReport, GroupStatus, StepStatus } from './scheduler/status.js';
export { toMermaid } from './scheduler/graph.js';

export type { Provisioner, ProvisionerClass, ProvisionerContext } from './provisioners/contract.js';
export { LocalCommand } from './provisioners/local-command.js';
export type { LocalCommandOptions, LocalCommandOutput, CommandSpec } from './provisioners/local-command.js';
export { LocalService } from './provisioners/local-service.js';
export type { LocalServiceOptions, LocalServiceOutput } from './provisioners/local-service.js';
export { HttpCheck } from './provisioners/http-check.js';
export type { HttpCheckOptions } from './provisioners/http-check.js';

export { Machines } from './provisioners/machines/machines.js';
export type { MachinesOptions, MachinesOutput, MachineInfo } from './provisioners/machines/machines.js';
export { MachineStage } from './provisioners/machines/stages.js';
export { RunOnMachines } from './provisioners/machines/run-on-machines.js';
export type { RunOnMachinesOptions, RunOnMachinesOutput } from './provisioners/machines/run-on-machines.js';

export type { Driver, DriverContext, DriverFactory, MachineRequest, BatchResult, KeyLookup } from './drivers/driver.js';
export type { MachineSpec, MachineReference, MachineOptions, ReferenceValue } from './drivers/machine-spec.js';
export { ActionHandler } from './drivers/action-handler.js';
export { DriverRegistry } from './drivers/registry.js';
export { registerDriver, driverForUrl, defaultDriverRegistry } from './drivers/default-drivers.js';
export { allocateMachines, readyMachines, stopMachines, destroyMachines, fanOut } from './drivers/batch.js';
export { NetnsDriver } from './drivers/netns/netns-driver.js';
export type { NetnsDriverConfig } from './drivers/netns/config.js';
export { SshDriver } from './drivers/ssh/ssh-driver.js';
export type { HostEntry } from './drivers/ssh/hosts-file.js';
export { LocalDriver } from './drivers/local/local-driver.js';

export { registerProvisioner, defaultRegistry } from './serialize/default-registry.js';
export { ProvisionerRegistry } from './serialize/registry.js';

export type { StateStore } from './state/store.js';
export { JsonFileStore, readStateFile, DEFAULT_STATE_FILE } from './state/file-store.js';
export { MemoryStore } from './state/memory-store.js';
export { unlockState } from './state/lock.js';
export { FAILPOINTS } from './failpoints.js';
export { GroupState, StepState, STATE_VERSION } from './state/types.js';
export type { StateData, GroupRecord, StepRecord, ErrorRecord } from './state/types.js';

export { defineConfig } from './config/define.js';
export type { GroundworkConfig, GroupConfig } from './config/define.js';
export { loadConfig, resolveConfig } from './config/load.js';
export type { ResolvedConfig } from './config/load.js';

export { groundworkGlobalSetup } from './testing/global-setup.js';
export type { GlobalSetupOptions } from './testing/global-setup.js';

export type { Machine, ExecuteOptions, ExecuteResult, TransferOptions } from './machines/machine.js';
export { connectSsh, SshMachine, hostKeyFingerprint, writeSshdConfig } from './transport/index.js';
export type { SshConnectOptions, SshdConfig, SshdConfigOptions } from './transport/index.js';
export { LocalMachine } from './machines/local-machine.js';
export { KeyStore, keyEnvName } from './keys/key-store.js';
export type { KeyStoreOptions } from './keys/key-store.js';
export { generateKeyPair } from './keys/generate.js';
export type { KeyPair } from './keys/generate.js';

export type { SchedulerEventMap, SchedulerEventName, SchedulerListener } from './events.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
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
} from './errors.js';
export type { LockOwner } from './errors.js';
