export async function simCommand(_argv: string[]): Promise<number> { return 1; }
