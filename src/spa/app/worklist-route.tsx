import { lazy, Suspense, useEffect, useState } from 'react';
import { actorOf, mayTakeNextStudy } from '../../contract/actor.ts';
import { useMe } from '../lib/auth/get-me.ts';
import { usePacsEnabled } from '../features/pacs/api/get-pacs-status.ts';
import { PacsRowsProvider } from '../features/pacs/components/pacs-rows-provider.tsx';
import { NewStudyButton } from '../features/study-drawer/components/new-study-button.tsx';
import { WorklistPage } from '../features/worklist/components/worklist-page.tsx';
import type { WorklistExtension } from '../features/worklist/components/worklist-page.tsx';

// Next study is not needed for the first screen: it loads after it, and only for a reader.
const NextStudyButton = lazy(async () => ({ default: (await import('./next-study-button.tsx')).NextStudyButton }));

// The provider stays without a PACS too (it then asks nothing), so the grid is not remounted when
// the BFF's answer, or the columns' code, arrives; only the columns come and go.
const WITHOUT_PACS: WorklistExtension = { columns: [], RowsProvider: PacsRowsProvider };

/**
 * The worklist as the app composes it: the Next study and New study buttons, and the PACS columns when a PACS is
 * connected. Their code loads only then, so a worklist without a PACS does not carry it.
 */
export function WorklistRoute() {
  const pacs = usePacsEnabled();
  const reader = mayTakeNextStudy(actorOf(useMe().data)).allowed;
  const [withPacs, setWithPacs] = useState<WorklistExtension | undefined>(undefined);
  useEffect(() => {
    if (!pacs || withPacs) return;
    let current = true;
    import('./pacs-worklist-extension.ts').then(
      (module) => current && setWithPacs({ columns: module.PACS_COLUMNS, RowsProvider: PacsRowsProvider }),
      // Not loaded (the server went away): the list goes on without the PACS columns.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [pacs, withPacs]);
  const actions = (
    <>
      {reader ? (
        <Suspense fallback={null}>
          <NextStudyButton placement="toolbar" />
        </Suspense>
      ) : null}
      <NewStudyButton />
    </>
  );
  return <WorklistPage actions={actions} extension={pacs && withPacs ? withPacs : WITHOUT_PACS} />;
}
