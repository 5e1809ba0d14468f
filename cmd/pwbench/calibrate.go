package main

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The reference workload says how fast the machine was when a report was made, so that runs on
// different machines, or on one shared machine at busier and quieter times, can be told apart: the
// same code measured twice as slow on a machine whose reference time doubled is the machine, not the
// code. It is fixed work on one core, of the kinds the figures spend their time on (sorting, hashing,
// maps, small allocations and string building), the same on every run: its time is comparable only
// between runs of the same Go version (docs/interfaces.md §8).

// referenceRuns is how many times the workload runs; its median is the figure.
const referenceRuns = 5

// referenceWork does the fixed work once and returns a checksum of it (the test holds it stable).
func referenceWork() uint64 {
	r := rand.New(rand.NewPCG(1, 2))
	nums := make([]uint64, 1<<20)
	for i := range nums {
		nums[i] = r.Uint64()
	}
	slices.Sort(nums)
	sum := nums[len(nums)/2]

	buf := make([]byte, 16<<20)
	for i := range buf {
		buf[i] = byte(nums[i%len(nums)])
	}
	h := sha256.Sum256(buf)
	sum ^= uint64(h[0]) | uint64(h[1])<<8

	m := make(map[uint64]int)
	for i, v := range nums[:200_000] {
		m[v>>7] += i
	}
	sum += uint64(len(m))

	var b strings.Builder
	words := make([]string, 0, 100_000)
	for i := range 100_000 {
		b.Reset()
		b.WriteString("专利")
		b.WriteString(strconv.Itoa(i))
		words = append(words, b.String())
	}
	slices.Sort(words)
	return sum + uint64(len(words[len(words)/2]))
}

// referenceMillis runs the workload referenceRuns times and returns the median time in milliseconds.
func referenceMillis() float64 {
	times := make([]float64, referenceRuns)
	for i := range times {
		start := time.Now()
		referenceWork()
		times[i] = ms(time.Since(start))
	}
	_, med, _ := stats(times)
	return med
}

// cmdCalibrate prints the reference workload's median time in milliseconds (bench.sh runs it before
// and after the parts, and hands both to pwbench report).
func cmdCalibrate(args []string) error {
	set := newFlagSet("calibrate")
	if err := set.Parse(args); err != nil {
		return err
	}
	fmt.Printf("%.1f\n", referenceMillis())
	return nil
}

// cpuModel is the processor's name as /proc/cpuinfo gives it ("" when unknown).
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
