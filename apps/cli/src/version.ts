/** The CLI's version, reported by `patchgate --version` and in every report. */
export const toolVersion = '0.1.0';
