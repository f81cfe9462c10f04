// Preloaded into the demo processes that the cluster suites start (`node --import tsx --import
// ./test/cluster/orphan-guard.ts demo/main.ts`): their stdin is a pipe from the test, so when the
// test process dies in any way, even SIGKILL by the runner's timeout, the pipe ends and the demo
// process goes too, instead of lingering on its port and its Redis.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
// stdin must not keep a demo alive on its own once it is closing for another reason
process.stdin.unref?.();
