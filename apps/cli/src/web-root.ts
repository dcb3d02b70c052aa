/**
 * Where `npm install` builds the web application (apps/web/dist), found from src/ and from the
 * bundle in dist/ alike (both sit at the same depth). `patchgate server` serves it unless
 * PATCHGATE_WEB_ROOT says otherwise.
 */
import { fileURLToPath } from 'node:url';

export const builtWebRoot = fileURLToPath(new URL('../../web/dist/', import.meta.url));
