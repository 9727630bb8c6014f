SELECT ward, bedz AS beds
FROM north
