/* The ceiling for parsing with libyaml's event API: pull every event of a file and drop it.
   Built and run by scripts/bench-apply.sh next to our manifest reader. */
#include <yaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: yaml-events FILE\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n);
    if (fread(buf, 1, n, f) != (size_t)n) { perror("read"); return 2; }
    double best = 1e9;
    long events = 0;
    for (int run = 0; run < 5; run++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        yaml_parser_t p;
        yaml_parser_initialize(&p);
        yaml_parser_set_input_string(&p, buf, n);
        yaml_event_t e;
        events = 0;
        while (yaml_parser_parse(&p, &e)) {
            int done = e.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&e);
            events++;
            if (done) break;
        }
        yaml_parser_delete(&p);
        clock_gettime(CLOCK_MONOTONIC, &b);
        double t = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
        if (t < best) best = t;
    }
    printf("libyaml events alone (C, best of 5): %ld events, %.1f MB, %.0f ms, %.1f MB/s\n", events, n / 1e6, best * 1000, n / 1e6 / best);
    return 0;
}
