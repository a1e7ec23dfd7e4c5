import { expect, openPacsStudy, test } from './support/pacs.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * The bundled server plays Avara's viewer: its launch page sends study.access_requested, signed with
 * the key the BFF generated into DATA_DIR, to the BFF's /webhooks/avara, and shows what came back
 * from the real Orthanc behind it (e2e/support/pacs.ts): series and instance counts, and the DICM
 * marker read from the first signed file URL.
 */

test('the launch page shows the manifest counts and a DICOM Part 10 file from the signed URLs', async ({
  page,
  context,
  pacs,
}) => {
  const study = pacs.studies[0]!;
  const drawer = await openPacsStudy(page, study);

  const newTab = context.waitForEvent('page');
  await drawer.getByRole('button', { name: 'Open in Viewer' }).click();
  const launch = await newTab;
  await expect(launch.getByRole('heading', { level: 1 })).toHaveText(`${study.spec.studyDescription}: 2 series`);

  const access = launch.getByRole('region', { name: "Image access, as Avara's viewer asks for it" });
  await expect(access).toContainText('Authorized');
  await expect(access.getByTestId('access-series')).toHaveText(String(study.seriesIds.length));
  await expect(access.getByTestId('access-instances')).toHaveText(String(study.instanceIds.length));
  await expect(access.getByTestId('access-proof')).toContainText('DICOM Part 10 file');
  await expect(access.getByTestId('access-proof').locator('code')).toHaveText('DICM');
  await launch.screenshot({ path: screenshotPath('launch-image-access.png'), fullPage: true });
});
