/** The server's version, in the OpenAPI document and /readyz. */
export const serverVersion = '0.1.0';
