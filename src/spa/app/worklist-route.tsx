import { useEffect, useState } from 'react';
import { usePacsEnabled } from '../features/pacs/api/get-pacs-status.ts';
import { PacsRowsProvider } from '../features/pacs/components/pacs-rows-provider.tsx';
import { NewStudyButton } from '../features/study-drawer/components/new-study-button.tsx';
import { WorklistPage } from '../features/worklist/components/worklist-page.tsx';
import type { WorklistExtension } from '../features/worklist/components/worklist-page.tsx';

// The provider stays without a PACS too (it then asks nothing), so the grid is not remounted when
// the BFF's answer, or the columns' code, arrives; only the columns come and go.
const WITHOUT_PACS: WorklistExtension = { columns: [], RowsProvider: PacsRowsProvider };

/**
 * The worklist as the app composes it: the New study button, and the PACS columns when a PACS is
 * connected. Their code loads only then, so a worklist without a PACS does not carry it.
 */
export function WorklistRoute() {
  const pacs = usePacsEnabled();
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
  return <WorklistPage actions={<NewStudyButton />} extension={pacs && withPacs ? withPacs : WITHOUT_PACS} />;
}
