import { usePacsEnabled } from '../features/pacs/api/get-pacs-status.ts';
import { PacsRowsProvider } from '../features/pacs/components/pacs-rows-provider.tsx';
import { pacsWorklistColumns } from '../features/pacs/components/pacs-worklist-columns.tsx';
import { NewStudyButton } from '../features/study-drawer/components/new-study-button.tsx';
import { WorklistPage } from '../features/worklist/components/worklist-page.tsx';
import type { WorklistExtension } from '../features/worklist/components/worklist-page.tsx';

const WITH_PACS: WorklistExtension = { columns: pacsWorklistColumns, RowsProvider: PacsRowsProvider };
// The provider stays without a PACS too (it then asks nothing), so the grid is not remounted when
// the BFF's answer arrives; only the columns come and go.
const WITHOUT_PACS: WorklistExtension = { columns: [], RowsProvider: PacsRowsProvider };

/** The worklist as the app composes it: the New study button, and the PACS columns when a PACS is connected. */
export function WorklistRoute() {
  const pacs = usePacsEnabled();
  return <WorklistPage actions={<NewStudyButton />} extension={pacs ? WITH_PACS : WITHOUT_PACS} />;
}
