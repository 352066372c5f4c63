import { Command } from "commander";
import type { CliContext } from "./context.js";
import { notImplemented } from "./not-implemented.js";

export function smokeCommand(_ctx: CliContext): Command {
  return new Command("smoke")
    .description("run a .gitlab-ci.yml job with its services inside an image, as the Docker executor would")
    .option("--image <ref>", "the image to test (overrides the job's image)")
    .option("--job <file[#job]>", "the job to run")
    .option("--runner-config <file>", "take default image and services from a config.toml")
    .option("--services-timeout <seconds>", "how long to wait for services", "30")
    .option("--strict-services", "fail the job when a service does not become ready")
    .option("--timeout <duration>", "job timeout", "1h")
    .option("--junit <file>", "write a JUnit report")
    .option("--reap", "only remove resources left behind by earlier runs")
    .option("--json", "print one JSON document on stdout")
    .addHelpText("after", "\nExample:\n  $ runner-kit smoke --image registry.example.com/platform/runner-aws:latest --job smoke/runner-aws.gitlab-ci.yml#check\n")
    .action(() => notImplemented("smoke"));
}
