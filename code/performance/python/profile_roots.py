import cProfile
import math
import pstats


def sum_of_roots(n):
    total = 0.0
    for i in range(n):
        total += math.sqrt(i)
    return total


with cProfile.Profile() as profiler:  # records every call and return from here on
    for _ in range(2):
        sum_of_roots(1_000_000)

stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")  # tottime: time in the function itself
stats.print_stats(2)  # the two functions with the most time of their own
