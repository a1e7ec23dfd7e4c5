import { Navigate, useLocation, useParams } from 'react-router';
import { useStudyByUid } from '../api/get-study-by-uid.ts';
import { DrawerFrame } from './drawer-frame.tsx';
import { DrawerError, DrawerLoading, DrawerNotFound, isNotFound } from './drawer-states.tsx';
import { useCloseDrawer } from './use-close-drawer.ts';

/**
 * `/studies/by-uid/:studyInstanceUid`: the portal's deep link. Resolves the DICOM UID, then opens
 * the same drawer as `/studies/:studyId` (replacing this address, so Back does not resolve it again).
 */
export function StudyByUidRoute() {
  const { studyInstanceUid = '' } = useParams();
  const { search } = useLocation();
  const close = useCloseDrawer();
  const lookup = useStudyByUid(studyInstanceUid);

  const study = lookup.data;
  if (study) return <Navigate replace to={{ pathname: `/studies/${study.studyId}`, search }} />;
  if (lookup.isError) {
    return (
      <DrawerFrame heading={isNotFound(lookup.error) ? 'Study not found' : 'Study'} onClose={close}>
        {isNotFound(lookup.error) ? (
          <DrawerNotFound message={`No study has the Study Instance UID “${studyInstanceUid}”.`} onClose={close} />
        ) : (
          <DrawerError error={lookup.error} onRetry={() => void lookup.refetch()} retrying={lookup.isFetching} />
        )}
      </DrawerFrame>
    );
  }
  return (
    <DrawerFrame heading="Opening study…" onClose={close}>
      <DrawerLoading label={`Looking up the study with UID ${studyInstanceUid}`} />
    </DrawerFrame>
  );
}
