import { configError, type SourceLocation } from "../common/errors.js";
import { formatPlatform, parsePlatform } from "../reference/platform.js";

/**
 * A `platforms:` list (runner-kit.yaml) or the `--platform` values, parsed and normalised
 * (reference/platform.ts): "linux/arm64/v8" and "arm64" are both "linux/arm64". A platform
 * written twice is an error at the second one.
 */
export function platformList(texts: readonly string[], whereOf: (index: number) => SourceLocation | string): string[] {
  const out: string[] = [];
  texts.forEach((text, i) => {
    const where = whereOf(i);
    const platform = formatPlatform(parsePlatform(text, { where }));
    if (out.includes(platform)) {
      throw configError(`the platform ${platform} is listed twice ("${text}" is the same platform as an earlier entry)`, {
        where,
        hint: "list each platform once (linux/arm64 and linux/arm64/v8 are the same platform)",
      });
    }
    out.push(platform);
  });
  return out;
}

/** `--platform linux/amd64,linux/arm64 --platform linux/arm/v7`: comma lists, repeatable. */
export function platformFlag(values: readonly string[]): string[] {
  const texts = values.flatMap((v) => v.split(",")).map((t) => t.trim());
  return platformList(texts, () => "--platform");
}
