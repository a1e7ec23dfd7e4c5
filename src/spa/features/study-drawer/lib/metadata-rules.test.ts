import { describe, expect, it } from 'vitest';
import { PACS_METADATA_KEYS } from '../../../../contract/permissions.ts';
import { lockedRowIds, newMetadataRow } from './metadata-rules.ts';

describe('lockedRowIds', () => {
  const study = { accessionNumber: 'ACC1', modality: 'CT', site: 'main' };

  it('locks the study’s own pair of each locked key, nothing else', () => {
    const rows = [
      newMetadataRow('accessionNumber', 'ACC1'),
      newMetadataRow('modality', 'CT'),
      newMetadataRow('site', 'main'),
    ];
    expect(lockedRowIds(rows, PACS_METADATA_KEYS, study)).toEqual(new Set([rows[0]?.id, rows[1]?.id]));
  });

  it('leaves a later row typed with a locked key editable (it is a duplicate to fix)', () => {
    const rows = [newMetadataRow('modality', 'CT'), newMetadataRow('modality', '')];
    expect(lockedRowIds(rows, PACS_METADATA_KEYS, study)).toEqual(new Set([rows[0]?.id]));
  });

  it('leaves a new row with a locked key the study does not have editable (saving it is refused)', () => {
    const rows = [newMetadataRow('orthancStudyId', 'x')];
    expect(lockedRowIds(rows, PACS_METADATA_KEYS, study).size).toBe(0);
  });

  it('locks nothing when no key is locked', () => {
    expect(lockedRowIds([newMetadataRow('modality', 'CT')], [], study).size).toBe(0);
    expect(lockedRowIds([newMetadataRow('modality', 'CT')], PACS_METADATA_KEYS, null).size).toBe(0);
  });
});
