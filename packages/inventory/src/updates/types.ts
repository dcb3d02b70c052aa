/**
 * Available updates: what a host's package manager says it could install now, as opposed to
 * what is installed (an inventory). Reported by `apt list --upgradable` or `apt-get -s upgrade`
 * today (./apt/), by the agent later; the server keeps the latest list per asset.
 */

/** Where a candidate version comes from: one archive of the host's package sources. */
export interface UpdateOrigin {
  /** The archive (Release `Suite`, or `Codename`): `stable-security`, `jammy-updates`. */
  readonly archive: string;
  /** The Release `Label` when the output names it (`Debian-Security`); apt-get -s only. */
  readonly label?: string;
  /** The Release `Version` when the output names it (`12.8`); apt-get -s only. */
  readonly version?: string;
}

export interface AvailableUpdate {
  /** Binary package name as installed (`libssl3`). */
  readonly name: string;
  /** Architecture when the output states it (`amd64`, `all`). */
  readonly arch?: string;
  /** The installed version, verbatim (with its epoch). */
  readonly installedVersion: string;
  /** The version the package manager would install. */
  readonly candidateVersion: string;
  /** Every archive offering the candidate version, in the order apt lists them. */
  readonly origins: readonly UpdateOrigin[];
  /** True when one of the origins is a security archive (see ./apt/readme.md). */
  readonly security: boolean;
}

export interface AvailableUpdates {
  /** `apt-list-upgradable` or `apt-get-simulate`. */
  readonly format: AvailableUpdatesFormat;
  readonly updates: readonly AvailableUpdate[];
  /**
   * Packages apt would not upgrade without installing or removing others (`apt-get -s
   * upgrade`'s "kept back" list): an update exists, its version is not printed.
   */
  readonly keptBack: readonly string[];
  /** Lines that could not be read, said plainly. */
  readonly warnings: readonly string[];
}

export const availableUpdatesFormats = ['apt-list-upgradable', 'apt-get-simulate'] as const;
export type AvailableUpdatesFormat = (typeof availableUpdatesFormats)[number];

export type AvailableUpdatesResult =
  | { readonly ok: true; readonly value: AvailableUpdates }
  | { readonly ok: false; readonly error: string };
