// A child for the stdio process tests: writes its stdin back to its stdout, one line of its own
// to stderr, and exits with the code given as its first argument (0 without one).
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <io.h>

int main(int argc, char **argv) {
    _setmode(0, _O_BINARY);
    _setmode(1, _O_BINARY);
    std::fputs("stdio_echo: started\n", stderr);
    char buffer[4096];
    int n = 0;
    while ((n = _read(0, buffer, sizeof buffer)) > 0)
        if (_write(1, buffer, unsigned(n)) != n)
            return 99;
    return argc > 1 ? std::atoi(argv[1]) : 0;
}
