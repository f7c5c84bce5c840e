// groundwork/jest reads its options from the jest config's testEnvironmentOptions.groundwork.
import { expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { jestOptions } from '../../src/testing/jest/options.js';

test('paths are relative to rootDir; the config defaults to rootDir/groundwork.config.ts', () => {
  expect(jestOptions({ rootDir: '/p' })).toEqual({ config: '/p/groundwork.config.ts' });
  expect(
    jestOptions({
      rootDir: '/p',
      testEnvironmentOptions: { groundwork: { config: 'gw/c.ts', stateFile: '/s/state.json', groups: ['app'], keep: true } },
    }),
  ).toEqual({ config: '/p/gw/c.ts', stateFile: '/s/state.json', groups: ['app'], keep: true });
});

test.each([
  [{ groups: 'app' }, /testEnvironmentOptions\.groundwork\.groups: expected an array of group names, got "app"/],
  [{ keep: 'yes' }, /testEnvironmentOptions\.groundwork\.keep: expected true or false, got "yes"/],
  [{ stateFile: 3 }, /testEnvironmentOptions\.groundwork\.stateFile: expected a path \(relative to rootDir\), got 3/],
  [{ grups: ['app'] }, /testEnvironmentOptions\.groundwork\.grups: no such option; the options are config, groups, stateFile, keep/],
  ['app', /testEnvironmentOptions\.groundwork: expected an object, got "app"/],
])('a bad option %j is refused, naming it', (groundwork, message) => {
  const read = () => jestOptions({ rootDir: '/p', testEnvironmentOptions: { groundwork } });
  expect(read).toThrow(ConfigError);
  expect(read).toThrow(message);
});

test('without a project config (not called by Jest as a global hook) it says how to use it', () => {
  expect(() => jestOptions(undefined)).toThrow(/use it as the jest config's globalSetup \/ globalTeardown module/);
});
