// The oldest Node outlast runs on (package.json engines). Plain JavaScript that any Node
// parses, so an older one gets this message instead of undici failing obscurely on start.
const MINIMUM = [22, 19];

/** The message for a Node older than 22.19, or undefined when this one will do. */
export function unsupportedNodeMessage(version) {
  const [major = 0, minor = 0] = String(version).replace(/^v/, '').split('.').map(Number);
  const [needMajor, needMinor] = MINIMUM;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `outlast needs Node ${needMajor}.${needMinor} or newer; this is Node ${version}. Install a current Node (https://nodejs.org) and run it again.`;
}
