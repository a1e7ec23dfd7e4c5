import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ListStudiesQuery, Severity, Study, StudyViewerStatus } from '../../src/contract/avara-types.ts';
import { studyMatchesFilters } from '../../src/spa/lib/studies/study-matches-filters.ts';
import { seedDemoData } from '../../src/avara-server/seed/demo-data.ts';
import { createMemoryRepository } from '../../src/avara-server/store/memory-repository.ts';
import { openSqliteRepository } from '../../src/avara-server/store/sqlite-repository.ts';
import type { StudyRepository } from '../../src/avara-server/store/study-repository.ts';
import { StudyService } from '../../src/avara-server/store/study-service.ts';

const API_KEY = { apiKeyId: '0b7c8e0e-3c1f-4d8a-9f6e-1a2b3c4d5e6f', description: 'test key' };
const CUSTOMERS = [`cus_${'1'.repeat(32)}`, `cus_${'2'.repeat(32)}`];
const DESCRIPTIONS = [
  'CT Head without Contrast',
  'MRI Lumbar Spine w/o Contrast',
  'XR Chest 2 Views PA/Lateral',
  'Dose 100% CT_HEAD',
  'Ärztliche Überweisung',
];

interface StudySpec {
  severity: Severity;
  studyViewerStatus: StudyViewerStatus;
  cancelled: boolean;
  assignee: number | null;
  customer: number | null;
  description: number;
}

interface FilterSpec {
  severity?: Severity;
  studyViewerStatus?: StudyViewerStatus;
  isCancelled?: boolean;
  assignee?: number | null;
  customer?: number | null;
  studyDescription?: string;
}

const studySpec: fc.Arbitrary<StudySpec> = fc.record({
  severity: fc.constantFrom<Severity>('stat', 'high', 'normal'),
  studyViewerStatus: fc.constantFrom<StudyViewerStatus>('incomplete', 'complete'),
  cancelled: fc.boolean(),
  assignee: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  customer: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null }),
  description: fc.integer({ min: 0, max: DESCRIPTIONS.length - 1 }),
});

/** Each filter is set one time in four, so most walks select a fair share of the studies. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary, weight: 1 });
}

const filterSpec: fc.Arbitrary<FilterSpec> = fc.record({
  severity: sometimes(fc.constantFrom<Severity>('stat', 'high', 'normal')),
  studyViewerStatus: sometimes(fc.constantFrom<StudyViewerStatus>('incomplete', 'complete')),
  isCancelled: sometimes(fc.boolean()),
  assignee: sometimes(fc.option(fc.integer({ min: 0, max: 2 }), { nil: null })),
  customer: sometimes(fc.option(fc.integer({ min: 0, max: 1 }), { nil: null })),
  studyDescription: sometimes(fc.constantFrom('ct', 'HEAD', 'spine', '100%', '_', 'x', 'ärzt', 'ÄRZT')),
});

const repositories: Array<[string, () => StudyRepository]> = [
  ['memory', createMemoryRepository],
  ['sqlite', () => openSqliteRepository(':memory:')],
];

describe.each(repositories)('cursor walk over the %s repository', (_name, openRepository) => {
  it('returns every matching study exactly once, in creation order, even while studies are created', () => {
    fc.assert(
      fc.property(
        fc.array(studySpec, { maxLength: 80, size: 'large' }),
        filterSpec,
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.array(studySpec, { maxLength: 6 }), { maxLength: 20, size: 'large' }),
        (initial, filter, pageSizes, insertsBetweenPages) => {
          const repository = openRepository();
          try {
            seedDemoData(repository, { studies: 0, apiKey: API_KEY });
            for (const [index, expressCustomerId] of CUSTOMERS.entries()) {
              repository.insertCustomer({ expressCustomerId, expressCustomerName: `Customer ${index}` });
            }
            const service = new StudyService(repository, { apiKey: API_KEY, viewerUrl: () => 'http://viewer.test' });
            const userIds = service.listUsers({ limit: 3 }).users.map((user) => user.userId);
            let uid = 0;
            const create = (spec: StudySpec) => {
              const study = service.createStudy({
                severity: spec.severity,
                studyDescription: DESCRIPTIONS[spec.description] ?? 'CT',
                studyInstanceUid: `1.2.${++uid}`,
                assignedTo: spec.assignee === null ? undefined : userIds[spec.assignee],
                expressCustomerId: spec.customer === null ? undefined : CUSTOMERS[spec.customer],
              });
              if (spec.studyViewerStatus === 'complete')
                service.updateStudy(study.studyId, { studyViewerStatus: 'complete' });
              if (spec.cancelled) service.cancelStudy({ studyId: study.studyId });
            };
            initial.forEach(create);

            const query: ListStudiesQuery = {
              severity: filter.severity,
              studyViewerStatus: filter.studyViewerStatus,
              isCancelled: filter.isCancelled,
              assignedTo:
                filter.assignee === undefined ? undefined : filter.assignee === null ? '' : userIds[filter.assignee],
              expressCustomerId:
                filter.customer === undefined ? undefined : filter.customer === null ? '' : CUSTOMERS[filter.customer],
              studyDescription: filter.studyDescription,
            };

            const seen: Study[] = [];
            let cursor: string | undefined;
            for (let step = 0; ; step++) {
              const page = service.listStudies({ ...query, limit: pageSizes[step % pageSizes.length], cursor });
              seen.push(...page.studies);
              expect(page.cursor === undefined).toBe(!page.hasMore);
              if (!page.hasMore) break;
              cursor = page.cursor ?? undefined;
              (insertsBetweenPages[step] ?? []).forEach(create);
              if (step > 500) throw new Error('the walk does not end');
            }

            // The oracle: every study in the store, filtered by the SPA's definition of the filters, so
            // the bundled server's two repositories and the SPA are held to one meaning of each filter.
            const everything = service.listStudies({ limit: 100 });
            const all: Study[] = [...everything.studies];
            for (let page = everything; page.hasMore;) {
              page = service.listStudies({ limit: 100, cursor: page.cursor ?? undefined });
              all.push(...page.studies);
            }
            expect(all.map((study) => study.studyInstanceUid)).toEqual(
              Array.from({ length: uid }, (_, i) => `1.2.${i + 1}`),
            );
            const expected = all.filter((study) => studyMatchesFilters(study, query));
            expect(seen.map((study) => study.studyId)).toEqual(expected.map((study) => study.studyId));
          } finally {
            repository.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
