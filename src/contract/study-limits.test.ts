import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAvaraContract } from './load-contract.ts';
import { DICOM_UID_MAX_LENGTH, DICOM_UID_PATTERN, isDicomUid, METADATA_LIMITS } from './study-limits.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function schema(name: string): Record<string, unknown> {
  const found = loadAvaraContract().components.schemas[name];
  if (!isRecord(found)) throw new Error(`No ${name} schema in avara-openapi.yaml`);
  return found;
}

describe('the study limits', () => {
  it('are the Avara contract’s metadata limits', () => {
    const metadata = schema('Metadata');
    expect(metadata.maxProperties).toBe(METADATA_LIMITS.maxPairs);
    expect(metadata.propertyNames).toMatchObject({ maxLength: METADATA_LIMITS.maxKeyLength });
    expect(metadata.additionalProperties).toMatchObject({ maxLength: METADATA_LIMITS.maxValueLength });
  });

  it('are the Avara contract’s Study Instance UID format', () => {
    const uid = schema('StudyInstanceUid');
    expect(uid.pattern).toBe(DICOM_UID_PATTERN.source);
    expect(uid.maxLength).toBe(DICOM_UID_MAX_LENGTH);
    expect(uid.minLength).toBe(1);
  });

  it('take a UID exactly when the contract’s pattern and length do', () => {
    const contractPattern = new RegExp(String(schema('StudyInstanceUid').pattern));
    const uidLike = fc.stringMatching(/^[0-9.]{0,70}$/);
    fc.assert(
      fc.property(fc.oneof(uidLike, fc.string()), (value) => {
        expect(isDicomUid(value)).toBe(value.length >= 1 && value.length <= 64 && contractPattern.test(value));
      }),
    );
  });
});
