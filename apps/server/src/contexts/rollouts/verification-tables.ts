/**
 * One verification per install task (migration 0021; ADR 0039): the versions found after the
 * install against the patches, and the reboot the host still needs.
 */
export interface RolloutVerificationTable {
  task_id: string;
  change_id: string;
  rollout_id: string | null;
  asset_id: string;
  /** JSON `{ name, version }[]`: the patches' exact versions. */
  expected_json: string;
  /** JSON `{ name, version | null }[]`: the install result's `after`. */
  after_json: string;
  confirmed: number;
  /** JSON `{ name, expected, actual }[]`. */
  mismatches_json: string;
  /** 1 until the agent's heartbeat says no reboot is required. */
  reboot_pending: number;
  rebooted: number;
  reboot_cleared_at: string | null;
  /** When the install task was queued (server clock): the start of the fix claim. */
  installed_at: string;
  recorded_at: string;
}

export interface VerificationTables {
  rollout_verifications: RolloutVerificationTable;
}
