// A few ANSI styles; identity functions when colour is off, so callers never branch.
export interface Palette {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const style = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

const ON: Palette = {
  green: style(32, 39),
  red: style(31, 39),
  yellow: style(33, 39),
  cyan: style(36, 39),
  dim: style(2, 22),
  bold: style(1, 22),
};
const same = (s: string) => s;
const OFF: Palette = { green: same, red: same, yellow: same, cyan: same, dim: same, bold: same };

export function palette(colour: boolean): Palette {
  return colour ? ON : OFF;
}
