// wakesim: compares KVM posted-interrupt wakeup designs by simulation. See README.md.
#include <iostream>

#include "sim/app/cli.h"

int main(int argc, char** argv) { return wakesim::app::run_cli(argc, argv, std::cout, std::cerr); }
