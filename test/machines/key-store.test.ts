// KeyStore: private keys by name, from the environment or key folders; never their text in errors.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { generateKeyPair } from '../../src/keys/generate.js';
import { KeyError } from '../../src/errors.js';
import { KeyStore, keyEnvName } from '../../src/keys/key-store.js';
import { tempDir } from '../helpers/temp.js';

test('finds a key file by name in the key folders, in order', async () => {
  const first = await tempDir('groundwork-keys-');
  const second = await tempDir('groundwork-keys-');
  await writeFile(join(second, 'deploy'), 'second deploy key');
  await writeFile(join(second, 'admin'), 'second admin key');
  await writeFile(join(first, 'admin'), 'first admin key');
  const store = new KeyStore({ keyPaths: [first, second], env: {} });
  expect(await store.privateKey('deploy')).toBe('second deploy key');
  expect(await store.privateKey('admin')).toBe('first admin key');
});

test('GROUNDWORK_KEY_<NAME> in the environment comes first', async () => {
  const folder = await tempDir('groundwork-keys-');
  await writeFile(join(folder, 'web.deploy-1'), 'from file');
  expect(keyEnvName('web.deploy-1')).toBe('GROUNDWORK_KEY_WEB_DEPLOY_1');
  const store = new KeyStore({ keyPaths: [folder], env: { GROUNDWORK_KEY_WEB_DEPLOY_1: 'from env' } });
  expect(await store.privateKey('web.deploy-1')).toBe('from env');
});

test('reads process.env by default', async () => {
  process.env.GROUNDWORK_KEY_TEST_DEFAULT_ENV = 'env key text';
  try {
    expect(await new KeyStore().privateKey('test-default-env')).toBe('env key text');
  } finally {
    delete process.env.GROUNDWORK_KEY_TEST_DEFAULT_ENV;
  }
});

test('an unknown key names the key and every place searched', async () => {
  const folder = await tempDir('groundwork-keys-');
  const error = await new KeyStore({ keyPaths: [folder], env: {} }).privateKey('missing').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KeyError);
  expect(error).toMatchObject({ code: 'GW_KEY', keyName: 'missing' });
  expect((error as Error).message).toBe(
    `Private key "missing" not found; looked in environment variable GROUNDWORK_KEY_MISSING, ${join(folder, 'missing')}. ` +
      'Set GROUNDWORK_KEY_MISSING to the key text or put the key file in a configured key folder (keyPaths).',
  );
});

test('bad key names are rejected before any lookup', async () => {
  const store = new KeyStore({ keyPaths: ['/etc'], env: {} });
  for (const name of ['../passwd', 'a/b', '', '..', 'has space']) {
    await expect(store.privateKey(name)).rejects.toThrow(`Invalid key name ${JSON.stringify(name)}`);
  }
});

test('an unreadable key file is an error that names the file', async () => {
  // Root reads any file whatever its mode, so a folder stands in for an unreadable key.
  const folder = await tempDir('groundwork-keys-');
  await mkdir(join(folder, 'folder-key'));
  const error = await new KeyStore({ keyPaths: [folder], env: {} }).privateKey('folder-key').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KeyError);
  expect((error as Error).message).toBe(
    `Cannot read private key "folder-key" from ${join(folder, 'folder-key')}: EISDIR. Check its permissions.`,
  );
});

test('a KeyStore serializes without key text', async () => {
  const store = new KeyStore({ keyPaths: ['/keys'], env: { GROUNDWORK_KEY_X: 'secret text' } });
  expect(JSON.stringify(store)).toBe('{"keyPaths":["/keys"]}');
});

test('generateKeyPair makes an ed25519 pair', async () => {
  const folder = await tempDir('groundwork-keys-');
  const pair = await generateKeyPair(join(folder, 'id'), { comment: 'test-key' });
  expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ test-key$/);
  expect(await new KeyStore({ keyPaths: [folder], env: {} }).privateKey('id')).toContain('BEGIN OPENSSH PRIVATE KEY');
});
