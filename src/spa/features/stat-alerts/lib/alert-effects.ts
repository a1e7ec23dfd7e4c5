import type { Study } from '../../../../contract/avara-types.ts';

/** A short two-tone chime, made on the spot (no sound file to fetch). */
export function playChime(): void {
  const AudioContextClass = globalThis.AudioContext;
  if (!AudioContextClass) return;
  const audio = new AudioContextClass();
  const gain = audio.createGain();
  gain.connect(audio.destination);
  gain.gain.setValueAtTime(0.0001, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.6);
  [880, 1320].forEach((frequency, index) => {
    const tone = audio.createOscillator();
    tone.frequency.value = frequency;
    tone.connect(gain);
    tone.start(audio.currentTime + index * 0.18);
    tone.stop(audio.currentTime + index * 0.18 + 0.3);
  });
  window.setTimeout(() => void audio.close(), 1_000);
}

/** A desktop notification (only once the person allowed them); clicking it brings the tab back and opens the study. */
export function notifyDesktop(study: Study, open: () => void): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const notification = new Notification('New STAT study', {
    body: study.studyDescription,
    tag: `stat-${study.studyId}`,
  });
  notification.onclick = () => {
    window.focus();
    open();
    notification.close();
  };
}

/** Asks for permission to show desktop notifications: only when the person turns them on. */
export async function askDesktopPermission(): Promise<boolean> {
  if (typeof Notification === 'undefined') return false;
  if (Notification.permission === 'granted') return true;
  if (Notification.permission === 'denied') return false;
  return (await Notification.requestPermission()) === 'granted';
}
