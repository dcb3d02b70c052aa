/** The auth context's tables: local users, browser sessions, API tokens. Secrets are stored hashed. */
export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  /** `scrypt$N$r$p$salt$hash` (base64), from node:crypto. */
  password_hash: string;
  /** JSON array of role names. */
  roles_json: string;
  disabled: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface SessionTable {
  /** SHA-256 of the session cookie's value: a database leak does not leak sessions. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 of the token; the token itself is shown once, at creation. */
  token_hash: string;
  /** The token's first characters, to recognise it in lists (`pgt_Ab3d…`). */
  prefix: string;
  /** JSON array of permissions this token may use (a subset of its user's). */
  scopes_json: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** The token that minted this one (migration 0006), or null when minted by a session. */
  parent_token_id: string | null;
}

export interface AuthTables {
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
}
