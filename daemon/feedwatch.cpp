// feedwatch: the command-line tool. All logic lives in lib/cli.
#include "cli/commands.hpp"

int main(int argc, char** argv) { return feedwatch::cli::run(std::vector<std::string>(argv + 1, argv + argc)); }
