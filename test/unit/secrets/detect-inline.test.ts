import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/secrets/detect.js';

describe('redact: quoted pairs inside a line', () => {
  it.each([
    ['one-line JSON', 'config.json', '{"password": "hunter22", "name": "x"}', '{"password": "${PASSWORD}", "name": "x"}', ['PASSWORD']],
    ['JSON without spaces', 'c.json', '{"api_key":"k-123456","n":1}', '{"api_key":"${API_KEY}","n":1}', ['API_KEY']],
    ['inline table', 'main.tf', 'provider "x" { token = "tok-abcdef123" }', 'provider "x" { token = "${TOKEN}" }', ['TOKEN']],
    ['harmless pairs stay', 'c.json', '{"name": "svc", "port": "8080"}', '{"name": "svc", "port": "8080"}', []],
  ])('%s', (_what, file, input, output, keys) => {
    const r = redact(file, input + '\n');
    expect(r.content).toBe(output + '\n');
    expect(r.secrets.map((s) => s.key)).toEqual(keys);
  });
});
