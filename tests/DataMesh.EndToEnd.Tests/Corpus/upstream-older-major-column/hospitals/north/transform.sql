SELECT ward, bed_count
FROM census
