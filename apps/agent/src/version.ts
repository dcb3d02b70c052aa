/** The agent's version (apps/agent/package.json's, checked by a test): heartbeats, the .deb. */
export const agentVersion = '0.1.0';
