import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.ts';

const downloads = (env: Record<string, string>) => {
  const result = configFromEnv(env, '/srv');
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.config.downloads;
};
const errors = (env: Record<string, string>) => {
  const result = configFromEnv(env, '/srv');
  return result.ok ? [] : result.errors;
};

describe('download settings from the environment', () => {
  it('defaults: on, https only, the catalogue hosts only, 1 GiB, 30 s / 1 h, 3 retries, no proxy', () => {
    expect(downloads({})).toEqual({
      enabled: true,
      allowHttp: false,
      allowedHosts: [],
      maxBytes: 2 ** 30,
      connectTimeoutSeconds: 30,
      timeoutSeconds: 3600,
      retries: 3,
    });
  });

  it('reads the PATCHGATE_DOWNLOAD_* variables and the standard proxy variables', () => {
    expect(
      downloads({
        PATCHGATE_DOWNLOADS: 'off',
        PATCHGATE_DOWNLOAD_ALLOW_HTTP: 'true',
        PATCHGATE_DOWNLOAD_ALLOWED_HOSTS: 'mirror.example, 10.0.0.5:8443,',
        PATCHGATE_DOWNLOAD_MAX_BYTES: '5000000',
        PATCHGATE_DOWNLOAD_CONNECT_TIMEOUT_SECONDS: '5',
        PATCHGATE_DOWNLOAD_TIMEOUT_SECONDS: '600',
        PATCHGATE_DOWNLOAD_RETRIES: '0',
        HTTPS_PROXY: 'http://proxy.example:3128',
        http_proxy: 'http://lower.example:3128',
        HTTP_PROXY: 'http://upper.example:3128',
        NO_PROXY: 'localhost,.internal',
      }),
    ).toEqual({
      enabled: false,
      allowHttp: true,
      allowedHosts: ['mirror.example', '10.0.0.5:8443'],
      maxBytes: 5_000_000,
      connectTimeoutSeconds: 5,
      timeoutSeconds: 600,
      retries: 0,
      httpProxy: 'http://lower.example:3128',
      httpsProxy: 'http://proxy.example:3128',
      noProxy: 'localhost,.internal',
    });
  });

  it.each([
    [{ PATCHGATE_DOWNLOAD_MAX_BYTES: 'lots' }, /^PATCHGATE_DOWNLOAD_MAX_BYTES: /],
    [{ PATCHGATE_DOWNLOAD_RETRIES: '99' }, /^PATCHGATE_DOWNLOAD_RETRIES: /],
    [
      { HTTPS_PROXY: 'socks5://proxy:1080' },
      /^HTTPS_PROXY: must be an http:\/\/ or https:\/\/ URL$/,
    ],
    [
      { PATCHGATE_DOWNLOAD_ALLOWED_HOSTS: 'ok.example,bad host!' },
      /^PATCHGATE_DOWNLOAD_ALLOWED_HOSTS: must be host or host:port$/,
    ],
  ])('names the variable of a bad value: %j', (env, message) => {
    expect(errors(env)).toEqual([expect.stringMatching(message)]);
  });
});
