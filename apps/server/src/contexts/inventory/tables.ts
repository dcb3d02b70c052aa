/** The inventory context's tables (PLACEHOLDER until the context lands). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InventoryTables {}
