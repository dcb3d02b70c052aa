/**
 * What an inventory is once read: the software installed on one asset (a host, an image,
 * an application), each package named the way advisories for its ecosystem name it.
 */

/** The operating system an inventory describes, when it can be known. */
export interface OsRelease {
  /** os-release ID: `debian`, `ubuntu`, `almalinux`, `alpine`, `rhel`… */
  readonly id: string;
  /** os-release VERSION_ID when known: `12`, `22.04`, `3.20.1`. */
  readonly versionId?: string;
  /** The OSV ecosystem with its release suffix: `Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`. */
  readonly ecosystem?: string;
  /** How the release was learned: `os-release`, `purl distro qualifier`, `version suffix +deb12u1`, `flag`… */
  readonly evidence: string;
}

export interface InstalledPackage {
  /**
   * OSV ecosystem. For distribution packages this carries the release when known
   * (`Debian:12`); without a known release it is the bare base (`Debian`) and the
   * matcher reports that the release is missing instead of guessing.
   */
  ecosystem: string;
  /** Package name as installed (binary package for distributions). */
  name: string;
  /** Installed version, verbatim (with epoch when the source states one). */
  version: string;
  /**
   * Distribution source package, when it differs or is known: Debian, Ubuntu and Alpine
   * advisories name source packages (`openssl` for `libssl3`), RPM advisories binary ones.
   */
  sourceName?: string;
  /** Source package version when it differs from the binary's (binNMU `+b1`, etc.). */
  sourceVersion?: string;
  /** Package URL (https://github.com/package-url/purl-spec) when known or derivable. */
  purl?: string;
  arch?: string;
  /**
   * RPM only: true when the source listed no epoch at all (e.g. `rpm -qa` with the default
   * query format). An unknown epoch is not epoch 0; see docs/adr/0003-unknown-rpm-epoch.md.
   */
  epochUnknown?: boolean;
  /** Where in the input it was found: a lockfile path, a line number, a binary. */
  location?: string;
  /** Direct dependency (true), transitive (false), or unknown (absent). */
  direct?: boolean;
  /** Dev-only dependency when the format records it. */
  dev?: boolean;
}

export interface Inventory {
  /** Format id of the parser that read it (`dpkg-status`, `cyclonedx-json`…). */
  readonly format: string;
  /** Where it came from: the file path given by the user. */
  readonly source: string;
  readonly os?: OsRelease;
  readonly packages: InstalledPackage[];
  /** Lines or entries that could not be read, said plainly; never silently dropped. */
  readonly warnings: string[];
}

/** One input file, already read. */
export interface InventoryInput {
  /** Path or name; used for detection by file name and in messages. */
  readonly path: string;
  readonly text: string;
}

export type InventoryResult = { ok: true; inventory: Inventory } | { ok: false; error: string };

export const inventoryFormatFamilies = ['sbom', 'lockfile', 'package-list'] as const;
export type InventoryFormatFamily = (typeof inventoryFormatFamilies)[number];

/** The contract every inventory format implements (one folder each under ./formats/). */
export interface InventoryFormat {
  /** Stable id, kebab-case: `dpkg-status`, `rpm-qa`, `cyclonedx-json`… */
  readonly id: string;
  readonly displayName: string;
  /** What kind of document it is: a software bill of materials, a lockfile, a package manager's list. */
  readonly family: InventoryFormatFamily;
  /** The media types such a file usually has (the first is the most specific); a hint only. */
  readonly mediaTypes: readonly string[];
  /**
   * File names (or `*` patterns, or path endings) detection recognises; a hint only, empty when
   * detection reads the content alone (the output of a command).
   */
  readonly fileNames: readonly string[];
  /** The specification or tool documentation the parser follows. */
  readonly specUrls: readonly string[];
  /**
   * How sure this format is that the input is its own: 0 (not mine) to 1 (certain).
   * Looks at the file name and the first bytes of content only; must be cheap.
   */
  detect(input: InventoryInput): number;
  /** Read the input. Malformed entries become warnings; an unreadable file is an error. */
  parse(input: InventoryInput): InventoryResult;
}
