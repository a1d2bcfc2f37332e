/*
 * The C suites of liballot, one group per file: bad input on every exported function
 * (bad_input.c), the ERP flows (flows.c), event polling (events.c), threads sharing one
 * engine (concurrency.c), the order pipeline (pipeline.c), the rules file (rules.c), bad
 * input on the pipeline's functions (pipeline_bad_input.c), hostile text and rules paths
 * (hostile_text.c) and a forked child's inherited engine (fork.c). run.sh builds this twice,
 * against liballot.so and liballot.a, and runs one
 * build under valgrind. Exits non-zero if any test fails.
 */
#include "support.h"

int main(void) {
    int failed = 0;
    failed += run_bad_input_tests();
    failed += run_flow_tests();
    failed += run_event_tests();
    failed += run_concurrency_tests();
    failed += run_pipeline_tests();
    failed += run_rules_tests();
    failed += run_pipeline_bad_input_tests();
    failed += run_hostile_text_tests();
    failed += run_fork_tests();
    if (failed != 0) {
        fprintf(stderr, "%d C test(s) failed\n", failed);
    }
    return failed == 0 ? 0 : 1;
}
