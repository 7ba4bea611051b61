// Links one area alone (machine/CMakeLists.txt, machine_area): it has nothing to run.
int main() {
    return 0;
}
