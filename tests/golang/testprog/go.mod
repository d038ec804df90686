module gotrace/testprog

go 1.15
