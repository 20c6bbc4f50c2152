Console.WriteLine("The benchmark arrives in the next commit");
