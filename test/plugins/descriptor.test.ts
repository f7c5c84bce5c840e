// Both descriptor forms parse; every refusal names the descriptor file and the field.
import { describe, expect, it } from 'vitest';
import { PluginError } from '../../src/errors.js';
import { parseDescriptor } from '../../src/plugins/descriptor.js';

const FILE = '/plugins/providers/p/p.json';

function refusal(text: string, kind: 'provider' | 'automator' = 'provider'): PluginError {
  try {
    parseDescriptor(FILE, text, kind);
  } catch (error) {
    expect(error).toBeInstanceOf(PluginError);
    expect((error as PluginError).descriptorFile).toBe(FILE);
    expect((error as Error).message).toContain(FILE);
    return error as PluginError;
  }
  throw new PluginError(FILE, `expected ${text} to be refused`);
}

describe('parseDescriptor', () => {
  it("reads Loom's form: one type per key, a classname, no parameters", () => {
    expect(parseDescriptor(FILE, '{ "p": { "classname": "MyProvider" } }', 'provider')).toEqual([
      { type: 'p', kind: 'provider', classname: 'MyProvider', parameters: { fields: {}, required: [] } },
    ]);
  });

  it("reads Coopr's form: the type list, description, admin and user fields, required sets", () => {
    const [entry, ...rest] = parseDescriptor(
      FILE,
      JSON.stringify({
        name: 'p',
        description: 'a provider',
        providertypes: ['p'],
        p: {
          name: 'p',
          classname: 'P',
          resourceTypes: {},
          parameters: {
            admin: { fields: { key: { label: 'Key', type: 'password', tip: 'api key' } }, required: [['key']] },
            user: { fields: { size: { type: 'select', options: ['s', 'm'], default: 'm', override: true }, note: { label: 'Note' } } },
          },
        },
      }),
      'provider',
    );
    expect(rest).toEqual([]);
    expect(entry).toEqual({
      type: 'p',
      kind: 'provider',
      classname: 'P',
      description: 'a provider',
      parameters: {
        fields: {
          key: { scope: 'admin', type: 'password', label: 'Key', tip: 'api key' },
          size: { scope: 'user', type: 'select', options: ['s', 'm'], default: 'm', override: true },
          note: { scope: 'user', type: 'text', label: 'Note' },
        },
        required: [['key']],
      },
    });
  });

  it('reads an executable in place of a classname', () => {
    expect(parseDescriptor(FILE, '{ "p": { "executable": "run.py" } }', 'provider')[0]).toMatchObject({ type: 'p', executable: 'run.py' });
  });

  it.each([
    ['malformed JSON', '{ "p": ', /is not valid JSON/],
    ['a top level that is not an object', '[1]', /the top level must be an object/],
    ['no plugin at all', '{}', /declares no plugin/],
    ['neither classname nor executable', '{ "p": { "name": "p" } }', /"p" needs "classname"/],
    ['both classname and executable', '{ "p": { "classname": "P", "executable": "x" } }', /"p" names both/],
    ['an empty classname', '{ "p": { "classname": "" } }', /"p.classname" must be a non-empty string/],
    ['a type list that is not a list', '{ "providertypes": "p", "p": { "classname": "P" } }', /"providertypes" must be a non-empty array/],
    ['a listed type with no entry', '{ "providertypes": ["p"] }', /"p" must be an object/],
    [
      'the wrong kind of list for the folder',
      '{ "automatortypes": ["p"], "p": { "classname": "P" } }',
      /"automatortypes" is not allowed in a providers\/ folder/,
    ],
    [
      'an unknown field type',
      '{ "p": { "classname": "P", "parameters": { "user": { "fields": { "f": { "type": "number" } } } } } }',
      /"p.parameters.user.fields.f.type" is string "number"; expected one of text, password, select/,
    ],
    [
      'a select without options',
      '{ "p": { "classname": "P", "parameters": { "user": { "fields": { "f": { "type": "select" } } } } } }',
      /"p.parameters.user.fields.f.options" must be a non-empty array/,
    ],
    [
      'a default outside the options',
      '{ "p": { "classname": "P", "parameters": { "user": { "fields": { "f": { "type": "select", "options": ["a"], "default": "b" } } } } } }',
      /"p.parameters.user.fields.f.default" is string "b", not one of its options/,
    ],
    [
      'a password with a default',
      '{ "p": { "classname": "P", "parameters": { "admin": { "fields": { "f": { "type": "password", "default": "x" } } } } } }',
      /"p.parameters.admin.fields.f.default" is not allowed on a password field/,
    ],
    ['a scope other than admin/user', '{ "p": { "classname": "P", "parameters": { "root": {} } } }', /"p.parameters.root" is not allowed/],
    [
      'required naming an undeclared field',
      '{ "p": { "classname": "P", "parameters": { "user": { "fields": {}, "required": [["nope"]] } } } }',
      /names field "nope", which is not declared/,
    ],
    [
      'required that is not a list of lists',
      '{ "p": { "classname": "P", "parameters": { "user": { "fields": {}, "required": ["a"] } } } }',
      /"p.parameters.user.required" must be a list of lists/,
    ],
    [
      'a field in both scopes',
      '{ "p": { "classname": "P", "parameters": { "admin": { "fields": { "f": {} } }, "user": { "fields": { "f": {} } } } } }',
      /"p.parameters.user.fields.f" is declared in both admin and user/,
    ],
    ['a type name with a slash', '{ "a/b": { "classname": "P" } }', /type "a\/b" is not a valid name/],
  ])('refuses %s, naming the file and the field', (_case, text, message) => {
    expect(refusal(text).message).toMatch(message);
  });
});
