import type { InventoryFormat } from '../types.ts';
import { cyclonedxJsonFormat } from './cyclonedx-json/index.ts';
import { cyclonedxXmlFormat } from './cyclonedx-xml/index.ts';
import { spdxJsonFormat } from './spdx-json/index.ts';
import { spdxTagValueFormat } from './spdx-tag-value/index.ts';

/** sbom formats, one folder each under ./formats/. */
export const sbomFormats: readonly InventoryFormat[] = [
  cyclonedxJsonFormat,
  cyclonedxXmlFormat,
  spdxJsonFormat,
  spdxTagValueFormat,
];
