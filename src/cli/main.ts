#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { endQuietlyOnClosedPipe } from "./closed-pipe.js";
import { earlyAnswer, earlyQuestion } from "./early-answers.js";
import { launch } from "./launch.js";

/** The top-level help's model as JSON, written in by scripts/bundle-cli.mjs (absent from tsc's output). */
declare const __RUNNER_KIT_HELP_MODEL__: string | undefined;

// Peak memory. While a large build context is walked and hashed, V8 doubles its young
// generation (up to 2 × 16 MiB) and grows the old one by up to 4× at a time, though the live
// data is ~10 MiB. Keeping the young generation at its initial size and growing the old one
// by 20 % at a time holds the 50,000-file context's peak RSS ~40 MiB lower, for a few % more
// CPU in the collector (bench/README.md). These two are read each time the heap grows, so
// setting them here works; --max-semi-space-size set here changes nothing (measured), and a
// shebang cannot pass V8 flags portably (busybox's env has no -S).
const V8_FLAGS = ["--semi-space-growth-factor=1", "--heap-growing-percent=20"];
for (const flag of V8_FLAGS) setFlagsFromString(flag);

// `--version` and the top-level help are answered here without the bundle (early-answers.ts);
// everything else is launch.ts's: the CLI bundle, from its code cache. The check is
// synchronous, so any other command starts the bundle as before, with no await first.
// (Measured: moving launch.ts into a module of its own, imported only past the check,
// made `--version` ~3 % cheaper and every other command 3–6 % dearer.)
const argv = process.argv.slice(2);
const early = earlyQuestion(argv) && (await earlyAnswer(argv, typeof __RUNNER_KIT_HELP_MODEL__ === "string" ? __RUNNER_KIT_HELP_MODEL__ : undefined));
if (early) {
  endQuietlyOnClosedPipe();
  process.stdout.write(early);
} else launch(argv, V8_FLAGS.join(" "));
