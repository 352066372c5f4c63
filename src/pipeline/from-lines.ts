/**
 * The images a Dockerfile builds FROM, with ARG substitution the way the builder does it:
 * global ARGs (before the first FROM) take their default, overridden by build args.
 * Stage names (`FROM tools AS x` … `FROM x`) and `scratch` are not images.
 */
export function fromImages(dockerfile: string, buildArgs: Record<string, string> = {}): string[] {
  const lines = joinContinuations(dockerfile);
  const globals: Record<string, string> = {};
  const stages = new Set<string>();
  const images: string[] = [];
  let seenFrom = false;
  for (const line of lines) {
    const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/i.exec(line);
    if (arg && !seenFrom) {
      const name = arg[1]!;
      const value = name in buildArgs ? buildArgs[name]! : substitute(unquote(arg[2] ?? ""), globals);
      globals[name] = value;
      continue;
    }
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (!from) continue;
    seenFrom = true;
    const image = substitute(from[1]!, globals);
    if (image !== "scratch" && !stages.has(image.toLowerCase())) images.push(image);
    if (from[2]) stages.add(from[2].toLowerCase());
  }
  return images;
}

function joinContinuations(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!current && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    out.push((current + line).trim());
    current = "";
  }
  if (current) out.push(current.trim());
  return out;
}

function unquote(value: string): string {
  const v = value.trim();
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}

function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced, fallback, bare) => {
    const name = (braced ?? bare) as string;
    const value = vars[name];
    if (value !== undefined && value !== "") return value;
    return (fallback as string | undefined) ?? "";
  });
}
