/**
 * Progress of a long run on stderr (stdout may be JSON or a report): a live line on a terminal, a line
 * every 10 s in a log (`more`: not the last line, which a log does not need).
 */
export function progressLine(): ((line: string, more: boolean) => void) & { end(): void } {
  const tty = process.stderr.isTTY;
  let last = Date.now();
  const show = (line: string, more: boolean): void => {
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
    else if (Date.now() - last >= 10_000 && more) {
      last = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };
  return Object.assign(show, { end: () => void (tty && process.stderr.write('\r\x1b[K')) });
}
