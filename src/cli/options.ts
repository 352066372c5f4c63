/** commander helper: repeatable options collect into an array. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
