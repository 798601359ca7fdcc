import { expect, test } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { formatHostPort, parseListenAddress } from '../../src/dashboard/listen-address.js';

test.each([
  ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
  ['127.1.2.3:0', { host: '127.1.2.3', port: 0 }],
  ['[::1]:9000', { host: '::1', port: 9000 }],
  ['localhost:65535', { host: '127.0.0.1', port: 65535 }],
])('accepts the loopback address %s', (value, expected) => {
  expect(parseListenAddress(value)).toEqual(expected);
});

test.each([
  '0.0.0.0:8080',
  '192.168.1.10:8080',
  '[::]:8080',
  'example.com:8080',
  '127.0.0.1',
  '127.0.0.1:65536',
  '127.0.0.1:-1',
  ':8080',
  '',
])('refuses %j with a typed InvalidOptionError naming --http', (value) => {
  expect(() => parseListenAddress(value)).toThrow(InvalidOptionError);
  expect(() => parseListenAddress(value)).toThrow(/Invalid option `--http`: expected a loopback/);
});

test('formats IPv6 hosts in brackets', () => {
  expect(formatHostPort('::1', 80)).toBe('[::1]:80');
  expect(formatHostPort('127.0.0.1', 80)).toBe('127.0.0.1:80');
});
