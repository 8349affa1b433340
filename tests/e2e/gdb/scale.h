int scale(int x, int k);
