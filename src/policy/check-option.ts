/** Fails construction with a message naming the option and the bad value (house style). */
export function checkNumber(
  name: string,
  value: number,
  { min = 0, max = Number.POSITIVE_INFINITY, integer = false, finite = true } = {},
): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    value >= min &&
    value <= max &&
    (!finite || Number.isFinite(value)) &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `between ${min} and ${max}`;
    throw new RangeError(
      `${name} must be ${integer ? 'an integer' : 'a number'} ${range}, got ${String(value)}`,
    );
  }
  return value;
}
