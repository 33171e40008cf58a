"""The version of the generated medium and large data sets, apart so that ``bench/run.py`` reads
it without setting Django up. Bump it when the generators change what they write: ``make bench``
then rebuilds its kept databases."""

SEED_VERSION = 2
