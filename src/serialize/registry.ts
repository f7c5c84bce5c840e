import SuperJSON, { type SuperJSONResult, type SuperJSONValue } from 'superjson';
import { ConfigError } from '../errors.js';
import type { ProvisionerClass } from '../provisioners/contract.js';
import { reviveInstance, savedFields } from './fields.js';
import { privateMembers } from './private-members.js';

type Json = SuperJSONResult['json'];

/**
 * Maps provisioner classes to stable ids, so a snapshot can name its class and
 * a later process can revive it. Each registry has its own SuperJSON instance.
 */
export class ProvisionerRegistry {
  readonly superjson = new SuperJSON();
  readonly #byId = new Map<string, ProvisionerClass>();
  readonly #ids = new Map<ProvisionerClass, string>();
  // Reading a class's source is costly and the answer never changes: once per class.
  readonly #privateMembers = new Map<Function, string[]>();

  /** Register a class once; registering the same class under the same id again is a no-op. */
  register(Class: ProvisionerClass, id: string = Class.name): void {
    if (typeof Class !== 'function') {
      throw new ConfigError(`registerProvisioner: expected a class, got ${typeof Class}.`);
    }
    if (typeof id !== 'string' || id.length === 0) {
      throw new ConfigError(`registerProvisioner(${Class.name}): expected \`id\` to be a non-empty string, got ${JSON.stringify(id)}.`);
    }
    const existing = this.#byId.get(id);
    if (existing === Class) return;
    if (existing) {
      throw new ConfigError(
        `registerProvisioner(${Class.name}): id "${id}" is already used by another class; pass a distinct id as the second argument.`,
      );
    }
    const previousId = this.#ids.get(Class);
    if (previousId !== undefined) {
      throw new ConfigError(`registerProvisioner(${Class.name}): already registered as "${previousId}".`);
    }
    this.#byId.set(id, Class);
    this.#ids.set(Class, id);
    // Instances nested in fields round-trip like provisioners do: minus
    // transient fields, revived without the constructor, then revive().
    this.superjson.registerCustom<object, Json>(
      {
        isApplicable: (v): v is object => typeof v === 'object' && v !== null && v.constructor === Class,
        serialize: (v) => this.superjson.serialize(savedFields(v) as SuperJSONValue) as unknown as Json,
        deserialize: (v) => reviveInstance(Class, this.superjson.deserialize(v as unknown as SuperJSONResult)),
      },
      `groundwork:${id}`,
    );
  }

  /** The `#private` members of a class (see private-members.ts), cached. */
  privateMembersOf(Class: Function): string[] {
    let names = this.#privateMembers.get(Class);
    if (!names) this.#privateMembers.set(Class, (names = privateMembers(Class)));
    return names;
  }

  idOf(Class: unknown): string | undefined {
    return this.#ids.get(Class as ProvisionerClass);
  }

  classOf(id: string): ProvisionerClass | undefined {
    return this.#byId.get(id);
  }

  ids(): string[] {
    return [...this.#byId.keys()];
  }
}
