// adb for the device method: find adb, list attached devices, reverse a port, open a URL, read the model string.
import { execFile } from 'node:child_process';
import { fail } from '../core/errors.ts';

/** One line of `adb devices`. */
export interface AdbDevice {
  serial: string;
  /** `device` when usable; `unauthorized`, `offline`, ... otherwise. */
  state: string;
}

/** The adb executable: EDGE_PRUNE_ADB, else `adb` on PATH. */
export function adbExecutable(): string {
  return process.env['EDGE_PRUNE_ADB'] ?? 'adb';
}

const CONNECT_HINT =
  'connect an Android phone by USB, enable Developer options → USB debugging, accept the "Allow USB debugging" prompt, ' +
  'and check `adb devices`; or use `edge-prune verify --method device --serve --host 0.0.0.0` and open the printed URL on the phone';

/** Run adb with an argument array (never a shell string); stdout, or DEVICE_UNAVAILABLE. */
export function runAdb(args: readonly string[], timeoutMs = 20_000): Promise<string> {
  const adb = adbExecutable();
  return new Promise((resolve, reject) => {
    execFile(adb, [...args], { timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      try {
        if (code === 'ENOENT') {
          fail('DEVICE_UNAVAILABLE', {
            expected: 'adb (Android platform tools) on the PATH',
            found: `no "${adb}" executable`,
            where: 'device measurement',
            hint: `install adb (Debian: apt-get install adb), then ${CONNECT_HINT}`,
          });
        }
        fail('DEVICE_UNAVAILABLE', {
          expected: `adb ${args.join(' ')} to succeed`,
          found: (stderr || error.message).trim().split('\n')[0] ?? 'an error',
          where: 'device measurement',
          hint: CONNECT_HINT,
        });
      } catch (typed) {
        reject(typed);
      }
    });
  });
}

/** Parse `adb devices` output. */
export function parseAdbDevices(text: string): AdbDevice[] {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.startsWith('List of devices'));
  return lines
    .slice(header + 1)
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 2 && parts[0] !== '' && !(parts[0] ?? '').startsWith('*'))
    .map(([serial, state]) => ({ serial: serial as string, state: state as string }));
}

/**
 * The device to use: the one with `serial`, else the only usable one. DEVICE_UNAVAILABLE says
 * whether adb is missing, no device is attached, it is unauthorized, or several need --serial.
 */
export async function pickAdbDevice(serial?: string): Promise<AdbDevice> {
  const devices = parseAdbDevices(await runAdb(['devices']));
  const usable = devices.filter((d) => d.state === 'device');
  const wanted = serial ? devices.find((d) => d.serial === serial) : usable[0];
  if (serial && !wanted) {
    fail('DEVICE_UNAVAILABLE', { expected: `device ${serial} attached`, found: devices.length ? `devices ${devices.map((d) => d.serial).join(', ')}` : 'no device attached', where: 'adb devices', hint: CONNECT_HINT });
  }
  if (!wanted) {
    const found = devices.length === 0 ? 'no device attached' : `${devices.map((d) => `${d.serial} (${d.state})`).join(', ')}`;
    const unauthorized = devices.some((d) => d.state === 'unauthorized');
    fail('DEVICE_UNAVAILABLE', {
      expected: 'one Android device attached over USB with USB debugging allowed',
      found,
      where: 'adb devices',
      hint: unauthorized ? 'unlock the phone and accept the "Allow USB debugging" prompt, then retry' : CONNECT_HINT,
    });
  }
  if (wanted.state !== 'device') {
    fail('DEVICE_UNAVAILABLE', { expected: `device ${wanted.serial} ready`, found: `state "${wanted.state}"`, where: 'adb devices', hint: wanted.state === 'unauthorized' ? 'unlock the phone and accept the "Allow USB debugging" prompt' : CONNECT_HINT });
  }
  if (!serial && usable.length > 1) {
    fail('DEVICE_UNAVAILABLE', { expected: 'one device, or --serial to pick one', found: `${usable.length} devices: ${usable.map((d) => d.serial).join(', ')}`, where: 'adb devices', hint: 'pass --serial <serial>' });
  }
  return wanted;
}

/** The phone's model string (`ro.product.model`). */
export async function readDeviceModel(serial: string): Promise<string> {
  return (await runAdb(['-s', serial, 'shell', 'getprop', 'ro.product.model'])).trim();
}

/** Forward the phone's tcp:port to this host's tcp:port (`adb reverse`). */
export async function reversePort(serial: string, port: number): Promise<void> {
  await runAdb(['-s', serial, 'reverse', `tcp:${port}`, `tcp:${port}`]);
}

/** Remove the reverse forward (best effort). */
export async function removeReverse(serial: string, port: number): Promise<void> {
  await runAdb(['-s', serial, 'reverse', '--remove', `tcp:${port}`]).catch(() => undefined);
}

/**
 * Open a loopback URL in the phone's browser (`am start -a android.intent.action.VIEW -d <url>`).
 * adb joins shell arguments on the device, so the URL is checked to hold no shell metacharacters.
 */
export async function openUrlOnDevice(serial: string, url: string): Promise<void> {
  if (!/^http:\/\/127\.0\.0\.1:\d{1,5}\/run\/[0-9a-f]{16,128}\/$/.test(url)) {
    fail('INTERNAL', { expected: 'a loopback benchmark URL', found: url, where: 'adb am start', hint: 'report this bug' });
  }
  await runAdb(['-s', serial, 'shell', 'am', 'start', '-a', 'android.intent.action.VIEW', '-d', url]);
}
