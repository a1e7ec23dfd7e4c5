import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedDemoData } from '../../src/avara-server/seed/demo-data.ts';
import { createMemoryRepository } from '../../src/avara-server/store/memory-repository.ts';
import { openSqliteRepository } from '../../src/avara-server/store/sqlite-repository.ts';
import type { StudyRepository } from '../../src/avara-server/store/study-repository.ts';
import { StudyService } from '../../src/avara-server/store/study-service.ts';
import type { ListStudiesQuery, Severity, Study, StudyViewerStatus } from '../../src/contract/avara-types.ts';
import { studyMatchesFilters } from '../../src/spa/lib/studies/study-matches-filters.ts';

// The bundled server keeps its own filter code (it must behave like Avara without the SPA or the
// BFF); this test ties its two repositories to the SPA's definition, on random studies and filters.

const API_KEY = { apiKeyId: '0b7c8e0e-3c1f-4d8a-9f6e-1a2b3c4d5e6f', description: 'test key' };
const CUSTOMERS = [`cus_${'1'.repeat(32)}`, `cus_${'2'.repeat(32)}`];
const DESCRIPTIONS = ['CT Head without Contrast', 'MRI Lumbar Spine w/o Contrast', 'XR Chest 2 Views PA/Lateral', 'Dose 100% CT_HEAD', 'Ärztliche Überweisung'];

const studySpec = fc.record({
  severity: fc.constantFrom<Severity>('stat', 'high', 'normal'),
  read: fc.boolean(),
  cancelled: fc.boolean(),
  assignee: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  customer: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null }),
  description: fc.integer({ min: 0, max: DESCRIPTIONS.length - 1 }),
});

function sometimes<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary, weight: 1 });
}

const filterSpec = fc.record({
  severity: sometimes(fc.constantFrom<Severity>('stat', 'high', 'normal')),
  studyViewerStatus: sometimes(fc.constantFrom<StudyViewerStatus>('incomplete', 'complete')),
  isCancelled: sometimes(fc.boolean()),
  assignee: sometimes(fc.option(fc.integer({ min: 0, max: 2 }), { nil: null })),
  customer: sometimes(fc.option(fc.integer({ min: 0, max: 1 }), { nil: null })),
  studyDescription: sometimes(fc.constantFrom('ct', 'HEAD', 'spine', '100%', '_', 'ärzt', 'ÄRZT', 'x')),
});

const repositories: Array<[string, () => StudyRepository]> = [
  ['memory', createMemoryRepository],
  ['sqlite', () => openSqliteRepository(':memory:')],
];

describe.each(repositories)('the %s repository and studyMatchesFilters', (_name, openRepository) => {
  it('agree on which studies a list with these filters holds', () => {
    fc.assert(
      fc.property(fc.array(studySpec, { maxLength: 40 }), fc.array(filterSpec, { minLength: 1, maxLength: 4 }), (specs, filters) => {
        const repository = openRepository();
        try {
          seedDemoData(repository, { studies: 0, apiKey: API_KEY });
          for (const [index, expressCustomerId] of CUSTOMERS.entries()) repository.insertCustomer({ expressCustomerId, expressCustomerName: `Customer ${index}` });
          const service = new StudyService(repository, { apiKey: API_KEY, viewerUrl: () => 'http://viewer.test' });
          const userIds = service.listUsers({ limit: 3 }).users.map((user) => user.userId);
          specs.forEach((spec, index) => {
            const study = service.createStudy({
              severity: spec.severity,
              studyDescription: DESCRIPTIONS[spec.description] ?? 'CT',
              studyInstanceUid: `1.2.${index + 1}`,
              assignedTo: spec.assignee === null ? undefined : userIds[spec.assignee],
              expressCustomerId: spec.customer === null ? undefined : CUSTOMERS[spec.customer],
            });
            if (spec.read) service.updateStudy(study.studyId, { studyViewerStatus: 'complete' });
            if (spec.cancelled) service.cancelStudy({ studyId: study.studyId });
          });
          const all = service.listStudies({ limit: 100 }).studies;
          for (const filter of filters) {
            const query: ListStudiesQuery = {
              severity: filter.severity,
              studyViewerStatus: filter.studyViewerStatus,
              isCancelled: filter.isCancelled,
              assignedTo: filter.assignee === undefined ? undefined : filter.assignee === null ? '' : userIds[filter.assignee],
              expressCustomerId: filter.customer === undefined ? undefined : filter.customer === null ? '' : CUSTOMERS[filter.customer],
              studyDescription: filter.studyDescription,
            };
            const listed = service.listStudies({ ...query, limit: 100 }).studies;
            const defined = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
            const expected = all.filter((study: Study) => studyMatchesFilters(study, defined));
            expect(listed.map((study) => study.studyId)).toEqual(expected.map((study) => study.studyId));
          }
        } finally {
          repository.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
