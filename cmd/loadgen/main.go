// Command loadgen is being written by engineer N (see /work/notes/N.md): engineer H, do not create or edit files here.
package main

func main() {}
